"""The web site and the JSON API: parse the request, call the service, render; nothing else."""
