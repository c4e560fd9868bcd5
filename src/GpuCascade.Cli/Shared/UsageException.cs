namespace GpuCascade.Cli.Shared;

/// <summary>A command-line mistake: reported with usage and exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
