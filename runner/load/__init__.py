"""Reading the user's files: bounded YAML, schema checks with file:line:key errors, job files,
inventories in netjob's, Nornir's and Ansible's formats, Ansible Vault, SSH options.
"""
