namespace GpuCascade.Cli.Shared;

/// <summary>What every command's handler writes to and listens to: stdout, stderr, the stop signal (Ctrl-C, SIGTERM,
/// SIGHUP), and whether stderr is a terminal (then progress is a redrawn bar rather than a line every ten seconds).</summary>
internal sealed record CommandContext(TextWriter Stdout, TextWriter Stderr, CancellationToken Cancellation, bool ProgressToTerminal);
