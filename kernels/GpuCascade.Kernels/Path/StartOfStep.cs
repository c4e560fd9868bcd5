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

    /// <summary>Start of step, before the market moves: the liquidity mechanism's recovery.</summary>
    private void StartStep()
    {
        if (_l.Liquidity.On != 0) StepStartLiquidity();
    }
}
