"""videobot: photos, clips and a sentence in, a ready-to-share 1080p MP4 out."""

__version__ = "0.1.0"
