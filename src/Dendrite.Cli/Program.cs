return Dendrite.Cli.App.Run(args);
