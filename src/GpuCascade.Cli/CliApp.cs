using GpuCascade.Backends;
using GpuCascade.Paths;
using GpuCascade.Simulation;
using GpuCascade.Validation;

namespace GpuCascade.Cli;

/// <summary>The <c>gpucascade</c> command line; <see cref="Run"/> is testable without a console. A command's
/// exceptions become its exit code here: a mistake in the input is 2 (<see cref="ExitCodes"/>), a failure while computing or
/// writing 1.</summary>
public static class CliApp
{
    /// <summary>Runs the command line; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellation = default,
        bool progressToTerminal = false)
    {
        try
        {
            return CommandLine.Create(new CommandContext(stdout, stderr, cancellation, progressToTerminal)).Invoke(args, stdout, stderr);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            stderr.WriteLine("Run 'gpucascade --help' for usage.");
            return ExitCodes.InvalidInput;
        }
        catch (BackendUnavailableException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is DeviceException or SimulationException))
        {
            foreach (var inner in e.InnerExceptions) stderr.WriteLine($"error: {inner.Message}");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is CheckpointException or Operations.InputFileException or Prices.PriceFileException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.InvalidInput;
        }
        catch (ScenarioException e)
        {
            foreach (var error in e.Errors) stderr.WriteLine($"error: {error}");
            return ExitCodes.InvalidInput;
        }
        catch (Exception e) when (e is DeviceException or SimulationException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
