using GpuCascade.Backends;
using GpuCascade.Backends.Ilgpu;

namespace GpuCascade.Cli.Commands.SelfTest;

/// <summary><c>gpucascade selftest</c>: <see cref="Validation.SelfTest.Run"/> on every ILGPU device that can run the path
/// kernel (or the named one), one line per check; exit 1 on any failure, or when <c>--require</c>'s API has no device.</summary>
internal static class SelfTestCommand
{
    public static int Run(SelfTestArguments a, CommandContext context)
    {
        var (stdout, stderr) = (context.Stdout, context.Stderr);
        var (only, require) = (a.Backend, a.Require);
        if (require is not null && !IlgpuDevices.All.Any(d => d.Api == require && d.Unsupported is null))
        {
            string why = IlgpuDevices.Unavailable.FirstOrDefault(u => u.StartsWith(require + ":", StringComparison.Ordinal))
                         ?? $"{require}: no device that can run the path kernel (see 'gpucascade devices')";
            stderr.WriteLine($"error: --require {require}: {why}");
            return ExitCodes.Failure;
        }
        var devices = IlgpuDevices.All.Where(d => d.Unsupported is null && (only is null || d.Name == only)).ToList();
        foreach (var why in IlgpuDevices.Unavailable) stdout.WriteLine($"skipped {why}");
        foreach (var d in IlgpuDevices.All.Where(d => d.Unsupported is not null))
            stdout.WriteLine($"skipped {d.Name} ({d.Model}): {d.Unsupported}");
        if (only is not null && devices.Count == 0)
            throw new BackendUnavailableException($"--backend: no device {only} that can run the path kernel (see 'gpucascade devices')");
        if (devices.Count == 0)
        {
            stdout.WriteLine("no device to check: only the managed backend is available (its checks are the test suite)");
            return ExitCodes.Ok;
        }
        var results = Validation.SelfTest.Run(devices, r =>
            stdout.WriteLine($"{(r.Passed ? "PASS" : "FAIL")}  {r.Device,-12} {r.Check,-50} {r.Seconds,6:0.0}s  {r.Detail}"));
        int failed = results.Count(r => !r.Passed);
        stdout.WriteLine($"{results.Count - failed} passed, {failed} failed on {devices.Count} device(s)");
        return failed == 0 ? ExitCodes.Ok : ExitCodes.Failure;
    }
}
