"""The rule director's parts; the public interface is `studio.director.director`.

- `words`: durations, aspect ratios, quotes, numbers, moods, corners (English and Chinese)
- `brief`: a description → title, captions, call to action
- `timeline`: the draft's timing rules (`fit`, `retime`, `check_draft`)
- `build`: the create flow (`create_draft` tool call → draft)
- `ops`: every edit as a replayable tool call (`apply_call`)
- `understand`, `shots`, `overlay_edits`: a message → tool calls
- `replies`: what the user reads, in English and Chinese (and `summary`, the facts it is built from)
"""
