"""videobot's platform-free core: photos, clips and a sentence in, a ready-to-share 1080p MP4 out.

    engine/    the conversation: Engine, the adapter host (BotHost), turns, cancels, intents, flows
    channel/   Incoming and the Reply protocol, its errors, the streaming editor, media, upload refusals
    state/     the Store (users, jobs, leases, locks, updates, cancels) on Redis; keys, records, crypto
    draft/     the typed draft (Draft/Track/Segment), the timeline in words, GUI-wording translation
    backend/   the NemoVideo client (NemoClient) and the per-user facade with recovery (NemoUser)
    i18n/      every user-facing string, per namespace and language
    ids.py     UserKey and ChatRef, the typed "platform:id" ids
    settings.py, metrics.py
    testing/   the test kit (RecordingReply, the fake NemoVideo server): for tests and benchmarks only

`bot` imports neither `adapters` nor `studio` nor `app` (import-linter contracts in pyproject.toml).
"""

__version__ = "0.1.0"
