"""Counter client for township and village government service points.

Everything in this package except ``clerk_app.ui`` is plain Python and never imports Qt.
"""

__version__ = "0.1.0"
