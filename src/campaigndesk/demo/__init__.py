"""The demo data set behind `campaigndesk demo`: the two example campaigns on real regions.

A plain package, not an app: it owns no models and writes only through the services.
"""
