using Integrations.Workers;

IHost host;
try
{
    host = WorkerHost.Build(args);
}
catch (WorkerConfigurationException ex)
{
    // A setting the host cannot start with: one clear line instead of a stack trace.
    Console.Error.WriteLine($"Integrations.Workers cannot start: {ex.Message}");
    return 2;
}
host.Run();
return 0;
