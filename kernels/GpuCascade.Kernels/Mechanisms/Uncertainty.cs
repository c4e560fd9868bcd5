using GpuCascade.Market;

namespace GpuCascade.Kernels;

/// <summary>The uncertainty mechanism's hook: start of path.</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>docs/model.md section 8.4: three normals from step 0's uncertainty slot; a dispersion of 0 leaves its multiplier 1.</summary>
    private void DrawUncertainInputs(ulong path)
    {
        _depthMultiplier = 1;
        _volatilityMultiplier = 1;
        _varianceMultiplier = 1;
        _bookMultiplier = 1;
        if (_l.Uncertainty.On == 0) return;
        RandomStreams.Words(_l.Seed, path, 0, RandomStreams.UncertaintySlot, out uint r0, out uint r1, out uint r2, out uint r3);
        RandomStreams.BoxMuller(r0, r1, out double zDepth, out double zVolatility);
        double zBook = RandomStreams.BoxMullerCosine(r2, r3);
        if (_l.Uncertainty.DepthDispersion != 0) _depthMultiplier = Math.Exp(_l.Uncertainty.DepthDispersion * zDepth);
        if (_l.Uncertainty.VolatilityDispersion != 0)
        {
            _volatilityMultiplier = Math.Exp(_l.Uncertainty.VolatilityDispersion * zVolatility);
            _varianceMultiplier = _volatilityMultiplier * _volatilityMultiplier;
        }
        if (_l.Uncertainty.BookDispersion != 0) _bookMultiplier = Math.Exp(_l.Uncertainty.BookDispersion * zBook);
    }
}

/// <summary>Uncertain inputs in the plan (docs/model.md section 8.4): the log-standard deviations of the per-path multipliers.</summary>
[PlanParams("Uncertainty")]
public struct UncertaintyParams
{
    /// <summary>Some input is uncertain: per-path multipliers are drawn (0 or 1).</summary>
    public int On;
    /// <summary>Log-standard deviations of the per-path depth, volatility and book multipliers.</summary>
    public double DepthDispersion, VolatilityDispersion, BookDispersion;
}
