using System.Runtime.CompilerServices;

namespace GpuCascade.Kernels;

/// <summary>The liquidity mechanism's hooks: start of step, execution (the depth), end of step.</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    /// <summary>Start of path: the realised variance starts at the scenario's (times w^2), no withdrawal, and the depth
    /// factor at u. Run with the mechanism off too: the path's lowest depth factor is an output either way.</summary>
    [PhaseHook(nameof(OnStartOfPath), Order = 10)]
    private readonly void StartLiquidity()
    {
        TP real = default;
        for (int i = 0; i < _n; i++)
        {
            A(LiquidityState.RealisedVariance, i) = real.Hold(Pd(_l.Variance0, i) * _varianceMultiplier);
            A(LiquidityState.Withdrawal, i) = 0;
            A(LiquidityState.StepStartMid, i) = A(MarketState.Mid, i);
            A(LiquidityState.MinDepthFactor, i) = _depthMultiplier;
            A(LiquidityState.StepDepthFactor, i) = _depthMultiplier;
        }
    }

    /// <summary>docs/model.md section 8.1: g = (sref^2 / max(v, sref^2))^(kappa / 2) / (1 + phi A), at most 1.</summary>
    private readonly double DepthFactor(int i) => DepthFactorAt(i, A(LiquidityState.Withdrawal, i));

    /// <summary><see cref="DepthFactor"/> at the withdrawal pressure <paramref name="withdrawal"/> (a forecast's).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly double DepthFactorAt(int i, double withdrawal)
    {
        double g = 1.0;
        double halfKappa = Pd(_l.Liquidity.HalfElasticity, i);
        if (halfKappa > 0)
        {
            double reference = Pd(_l.Liquidity.ReferenceVariance, i);
            g = Math.Pow(reference / Math.Max(A(LiquidityState.RealisedVariance, i), reference), halfKappa);
        }
        double phi = Pd(_l.Liquidity.FlowWithdrawal, i);
        return phi > 0 ? g / (1.0 + phi * withdrawal) : g;
    }

    /// <summary>docs/model.md section 8.1 at a step's start, before its exogenous move: the withdrawal pressure recovers, the mid the
    /// step's return starts from is kept, and the depth factor is tracked.</summary>
    [PhaseHook(nameof(OnStartOfStep), Order = 10)]
    private readonly void StepStartLiquidity(int step)
    {
        bool on = _l.Liquidity.On != 0;
        if (!on && _l.Liquidity.TrackVariance == 0) return;
        TP real = default;
        for (int i = 0; i < _n; i++)
        {
            A(LiquidityState.StepStartMid, i) = A(MarketState.Mid, i);
            if (!on) continue; // only the realised variance is tracked (for another mechanism)
            A(LiquidityState.Withdrawal, i) = real.Hold(A(LiquidityState.Withdrawal, i) * Pd(_l.Liquidity.RecoveryDecay, i));
            double depth = _depthMultiplier * DepthFactor(i);
            if (depth < A(LiquidityState.MinDepthFactor, i)) A(LiquidityState.MinDepthFactor, i) = depth;
            A(LiquidityState.StepDepthFactor, i) = depth; // the step's lowest, for its record (docs/model.md section 8.5)
        }
    }

    /// <summary>docs/model.md section 8.1 at a step's end: the EWMA of the traded mid's realised variance takes the step's return
    /// (exogenous move and impact together). Also without stress-thinning depth when another mechanism tracks the variance.</summary>
    [PhaseHook(nameof(OnEndOfStep), Order = 20)]
    private readonly void StepEndLiquidity(int step)
    {
        if (_l.Liquidity.On == 0 && _l.Liquidity.TrackVariance == 0) return;
        TP real = default;
        for (int i = 0; i < _n; i++)
        {
            double r = Math.Log(A(MarketState.Mid, i) / A(LiquidityState.StepStartMid, i));
            double lambda = Pd(_l.Liquidity.StressLambda, i);
            A(LiquidityState.RealisedVariance, i) = real.Hold(lambda * A(LiquidityState.RealisedVariance, i) + (1.0 - lambda) * r * r / _l.Dt);
        }
    }

    /// <summary>
    /// docs/model.md sections 8.1 and 8.6: a liquidation flow of <paramref name="flow"/> USD in asset <paramref name="i"/>
    /// adds a = |flow| / D to the withdrawal pressure A; with replenishment psi the pressure also recovers with the flow,
    /// A &lt;- A e^(-psi a) + (1 - e^(-psi a)) / psi, the exact solution of dA/da = 1 - psi A, so a step's A depends on its
    /// total flow and not on how its rounds cut it.
    /// </summary>
    private readonly void WithdrawLiquidity(int i, double flow)
    {
        if (_l.Liquidity.On == 0) return;
        A(LiquidityState.Withdrawal, i) = WithdrawalAfter(i, flow);
    }

    /// <summary>Asset <paramref name="i"/>'s withdrawal pressure after a liquidation flow of <paramref name="flow"/> USD.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private readonly double WithdrawalAfter(int i, double flow)
    {
        TP real = default;
        double a = Math.Abs(flow) * Pd(_l.Liquidity.WithdrawalPerUsd, i);
        double psi = Pd(_l.Liquidity.Replenishment, i);
        return real.Hold(psi > 0 ? LiquidityMath.Replenish(A(LiquidityState.Withdrawal, i), a, psi) : A(LiquidityState.Withdrawal, i) + a);
    }

    /// <summary>Start of path, for row 0 of the record: the depth factor the first round would see.</summary>
    [PhaseHook(nameof(OnStartOfRecord), Order = 10)]
    private readonly void SetStartDepth()
    {
        if (_l.Liquidity.On == 0) return;
        for (int i = 0; i < _n; i++) A(LiquidityState.StepDepthFactor, i) = _depthMultiplier * DepthFactor(i);
    }
}

/// <summary>The liquidity mechanism's parameters in the plan (docs/model.md section 8.1): a switch and the offsets of its
/// per-asset arrays.</summary>
[PlanParams("Liquidity")]
public struct LiquidityParams
{
    /// <summary>Some asset's depth responds to stress (0 or 1).</summary>
    public int On;
    /// <summary>Another mechanism reads the realised variance (returning liquidity's willingness, docs/model.md section
    /// 8.6): it is tracked for every asset even when <see cref="On"/> is 0 (0 or 1).</summary>
    public int TrackVariance;
    /// <summary>Offsets of the per-asset reals: kappa / 2, the reference variance sref^2, the EWMA weight lambda, the
    /// withdrawal phi, the withdrawal's recovery per step, the withdrawal pressure per USD of flow, the replenishment psi.</summary>
    public int HalfElasticity, ReferenceVariance, StressLambda, FlowWithdrawal, RecoveryDecay, WithdrawalPerUsd, Replenishment;
}

/// <summary>Per-asset state of the liquidity mechanism: the traded mid's realised variance, the withdrawal pressure, the
/// mid the step started from, the path's and the step's lowest depth factor u g (the path's is an output, with or
/// without the mechanism).</summary>
[StateBlock(4)]
public static partial class LiquidityState
{
    private const int F = First;

    /// <summary>Per-asset fields.</summary>
    public const int RealisedVariance = F, Withdrawal = F + 1, StepStartMid = F + 2, MinDepthFactor = F + 3, StepDepthFactor = F + 4;

    /// <summary>How many per-asset fields the mechanism needs.</summary>
    public const int Fields = 5;
}

/// <summary>The withdrawal pressure's arithmetic (docs/model.md sections 8.1, 8.6), shared by the path and its tests.</summary>
public static class LiquidityMath
{
    /// <summary>The pressure <paramref name="pressure"/> after a flow of <paramref name="increment"/> (|flow| over depth) with
    /// replenishment <paramref name="psi"/> &gt; 0: A e^(-psi a) + (1 - e^(-psi a)) / psi, which composes exactly:
    /// Replenish(Replenish(A, a1), a2) = Replenish(A, a1 + a2).</summary>
    public static double Replenish(double pressure, double increment, double psi)
    {
        double decay = Math.Exp(-psi * increment);
        return pressure * decay + (1.0 - decay) / psi;
    }
}
