"""What every stage stands on, importing nothing else of netjob: the records (models),
the exception tree (errors), the platform table, redaction and the no-symlink file writer.
"""
