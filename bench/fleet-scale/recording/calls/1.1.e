docker: unknown command: docker compose

Run 'docker --help' for more information
