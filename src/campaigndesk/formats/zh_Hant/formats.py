# "3月1日", as offices write it in a notice or a WeChat reminder: Django's "m月j日" writes
# "03月1日" (the month padded, the day not).
MONTH_DAY_FORMAT = "n月j日"
