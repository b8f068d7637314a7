using Integrations.Api;

ApiHost.Build(args).Run();

/// <summary>Entry point; <see cref="ApiHost"/> builds the application.</summary>
public partial class Program;
