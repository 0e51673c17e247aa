"""The only room that imports netmiko and paramiko: the connection, the TCP dial, SSH keys,
known hosts, algorithms, bastions, SCP, config remediation (hier_config) and TextFSM parsing.
Foreign exceptions become DeviceErrors here (exception_map) and nowhere else.
"""
