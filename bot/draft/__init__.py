"""The draft as the bot understands it.

    models.py     Draft / Track / Segment: the tolerant reader of a backend's draft (track kinds by name)
    timeline.py   summarize(draft), describe_changes(before, after): the draft in words
    translate.py  the backend's GUI wording ("click Export") → chat actions
"""
