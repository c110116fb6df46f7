"""Campaign Desk (宣传工作台): run publicity campaigns with their responsible units."""

__version__ = "0.1.0"
