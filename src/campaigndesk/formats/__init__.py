"""Date formats overriding Django's where offices write dates otherwise (FORMAT_MODULE_PATH)."""
