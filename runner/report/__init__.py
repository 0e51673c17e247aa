"""What a run keeps and shows: the run folder and its host files, the output store, drift,
history, compliance, Markdown, HTML and the console.
"""
