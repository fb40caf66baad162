"""The conversation and how a bot process runs it.

    engine.py      Engine: one message's turn (queued per user, routed by intent), resume and adopt
    host.py        BotHost: the lifecycle every adapter runs on (start, resume, adopt, turns, stop)
    turns.py       TurnGate: one turn per user at a time, /cancel, the global cap
    cancels.py     CancelRelay: /cancel across bot processes
    background.py  Background: the follow-up watches and detached stream reads, stopped as one
    intents.py     classify(text): what a message asks for
    flows/         one module per area of the conversation (see its docstring)
"""
