"""What the engine and the adapters agree on.

    events.py     Incoming, Attachment, Button, MessageRef, VideoFile, ChannelLimits (what a channel
                  allows and can do), the Reply protocol, QUICK_ACTIONS, quietly
    errors.py     DeliveryError, NotModified, MessageGone, RetryLater: what a Reply operation reports
    streaming.py  StreamingMessage (one throttled post-then-edit loop), split_text, file_preview
    media.py      probe_video / thumbnail / voice notes, with the bundled ffmpeg
    uploads.py    the one upload-size refusal
"""
