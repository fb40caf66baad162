"""The studio's renderer: a draft becomes a promo video (docs/rendering.md).

`studio.render.render.render_draft` renders, `studio.render.storyboard.storyboard` previews the plan
as one contact sheet. `RENDERER_VERSION` changes whenever the same draft would render differently,
so a stored render is only reused by an export of the same draft with the same renderer.
"""

RENDERER_VERSION = "2.0"
