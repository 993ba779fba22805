from pitwall.cli import main

main()
