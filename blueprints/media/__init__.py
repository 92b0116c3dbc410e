"""The media blueprint: image files under /media/, and the library's machinery.

The staff area's media library (blueprints/staff/media.py) and the editor use
its public modules; the articles blueprint renders pictures with `pictures`.

Public modules: pictures, library, images, processing, upkeep.
"""

from blueprints.media.views import bp

__all__ = ["bp"]
