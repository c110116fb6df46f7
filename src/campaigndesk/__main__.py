from campaigndesk.cli import main

main()
