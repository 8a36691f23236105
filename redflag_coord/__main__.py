from redflag_coord.cli.app import main

main()
