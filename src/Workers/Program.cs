using Integrations.Workers;

WorkerHost.Build(args).Run();
