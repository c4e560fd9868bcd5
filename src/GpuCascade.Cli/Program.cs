using GpuCascade.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (cancellation.IsCancellationRequested) return; // a second Ctrl-C ends the process at once
    e.Cancel = true;
    Console.Error.WriteLine();
    Console.Error.WriteLine("Stopping: finishing the paths in flight, then reporting what was computed (Ctrl-C again to abort).");
    cancellation.Cancel();
};
return CliApp.Run(args, Console.Out, Console.Error, cancellation.Token, progressToTerminal: !Console.IsErrorRedirected);
