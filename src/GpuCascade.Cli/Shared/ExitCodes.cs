namespace GpuCascade.Cli.Shared;

/// <summary>The exit codes of <c>gpucascade</c>, as its help lists them.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>The run failed while computing.</summary>
    public const int Failure = 1;
    /// <summary>Invalid input: a bad scenario or bad arguments.</summary>
    public const int InvalidInput = 2;
    /// <summary>calibrate: no value in the range meets every target (the response curve is still reported).</summary>
    public const int TargetUnreachable = 3;
    /// <summary>calibrate: a value meets every target on the calibration's paths but not when rerun on fresh paths (the
    /// out-of-sample check); the result is still reported, with the verdict at its top.</summary>
    public const int OutOfSampleFailed = 4;
    /// <summary>Stopped by Ctrl-C; the partial result was still reported.</summary>
    public const int Cancelled = 130;
    /// <summary>Stopped by SIGTERM (128 + 15); the partial result was still reported.</summary>
    public const int Terminated = 143;
    /// <summary>Stopped by SIGHUP (128 + 1); the partial result was still reported.</summary>
    public const int Hangup = 129;

    /// <summary>Reports the outputs that could not be written (after the others and the summary): exit 1 if any, else
    /// <paramref name="code"/>.</summary>
    internal static int Finish(List<string> failures, TextWriter stderr, int code)
    {
        foreach (var failure in failures) stderr.WriteLine($"error: {failure}");
        return failures.Count > 0 ? Failure : code;
    }
}
