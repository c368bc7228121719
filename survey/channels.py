"""How a response was collected (`response.channel`): online by the respondent, or typed in by staff from paper or a
telephone call. Exports carry it as a coded column; who typed it in (`entered_by`) never leaves the service.  PURE."""

WEB, PAPER, TELEPHONE = "web", "paper", "telephone"
CHANNELS = (WEB, PAPER, TELEPHONE)
