from himaya.cli.main import main

main()
