using System.Runtime.InteropServices;
using GpuCascade.Cli;

// Ctrl-C (SIGINT), SIGTERM (a scheduler's or a shutdown's kill) and SIGHUP (a closed terminal) all stop the run the
// same way: the paths in flight finish or stop within a few thousand steps, the exact result of the completed ones is
// written, and the exit code says which signal it was (130, 143, 129). A second signal ends the process at once.
using var cancellation = new CancellationTokenSource();
int signalExit = 0;
void Stop(int exitCode, string name, PosixSignalContext? context)
{
    if (cancellation.IsCancellationRequested) return; // the second one: the default action (terminate)
    if (context is not null) context.Cancel = true;
    signalExit = exitCode;
    Console.Error.WriteLine();
    Console.Error.WriteLine($"Stopping ({name}): finishing the paths in flight, then writing what was computed (again to abort).");
    cancellation.Cancel();
}
Console.CancelKeyPress += (_, e) =>
{
    if (cancellation.IsCancellationRequested) return;
    e.Cancel = true;
    Stop(ExitCodes.Cancelled, "Ctrl-C", null);
};
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Stop(ExitCodes.Terminated, "SIGTERM", c));
using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => Stop(ExitCodes.Hangup, "SIGHUP", c));
int code = CliApp.Run(args, Console.Out, Console.Error, cancellation.Token, progressToTerminal: !Console.IsErrorRedirected);
return code == ExitCodes.Cancelled && signalExit != 0 ? signalExit : code;
