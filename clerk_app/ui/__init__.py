"""The PySide6 front end. The only package of clerk_app that imports Qt."""
