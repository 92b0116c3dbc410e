"""The media blueprint: image files under /media/, and the library's machinery.

The staff area's media library (blueprints/staff/media.py) and the editor use
its public modules; the articles blueprint renders pictures with `pictures`
and the default social image with `site_images`.

Public modules: pictures, library, images, processing, upkeep, site_images.
"""

from blueprints.media.views import bp

__all__ = ["bp"]
