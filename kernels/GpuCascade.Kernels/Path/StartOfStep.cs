namespace GpuCascade.Kernels;

/// <summary>Start of step.</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>Whether the host has asked the path to stop (read every <see cref="PathState.CancelCheckSteps"/> steps,
    /// only when the plan allows it); the host then discards the path, whose block is not complete.</summary>
    private bool CancelRequested(int step)
    {
        if (_l.CancelCheck != 0 && step % PathState.CancelCheckSteps == PathState.CancelCheckSteps - 1 && _m.I(_l.CancelSlot) != 0)
            _stopped = true;
        return _stopped;
    }

    /// <summary>Phase: start of step <paramref name="step"/>, before the market moves (depth under stress: the step's
    /// starting mid). Its hooks are the methods marked [PhaseHook(nameof(OnStartOfStep))] (Wiring.cs).</summary>
    private partial void OnStartOfStep(int step);
}
