"""`skranke simulate`: whole days on a virtual clock through the real use cases (issue 14).

`scenario` reads a TOML scenario, `runner` plays the days on a throwaway database, `report`
measures waits, counters and every estimate shown, `plot` draws the day as SVG, `history`
builds a scenario from a branch's real weeks.
"""
