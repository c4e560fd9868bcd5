using GpuCascade.Market;
using GpuCascade.Simulation;

namespace GpuCascade.Backends.Managed;

/// <summary>
/// The reference implementation of one Monte Carlo path (MODEL.md sections 2-6), in double precision.
/// One instance per thread: all scratch state is allocated once here, so the path loop allocates nothing.
/// </summary>
internal sealed class PathSimulator
{
    private readonly SimulationPlan _plan;
    private readonly int _n, _cohorts;
    private readonly bool _anyTiered;

    // Market state per asset.
    private readonly double[] _x, _y, _xExo, _h, _disp;
    private readonly double[] _normals, _shock, _mid, _oracle, _rate, _execution, _flowUnits;
    private readonly double[] _minMid, _minExo, _maxDisp, _liquidated, _closedUnits;
    private readonly double[] _oracleHistory; // OracleDelay x N ring of end-of-step log mids

    // Cohort state.
    private readonly double[] _s, _k, _b, _fraction;
    private readonly bool[] _open, _forceClose, _touched;
    private readonly int[] _touchedList; // screenable cohorts this path has changed (partial fills), in touch order
    private int _touchedCount;
    private long _marginChecks, _liquidations; // work done on the current path (PathOutputs.MarginChecks, CohortLiquidations)
    private readonly double[] _inverseP0;
    private readonly bool _screen;
    private readonly int[] _partialStep, _liquidatedList;

    /// <param name="plan">The plan.</param>
    /// <param name="screen">Skip cohorts proven healthy (exact; false only to test that claim).</param>
    public PathSimulator(SimulationPlan plan, bool screen = true)
    {
        _screen = screen;
        _plan = plan;
        _n = plan.AssetCount;
        _cohorts = plan.CohortCount;
        _anyTiered = plan.Margin.Contains(MarginKind.Tiered);
        _x = new double[_n]; _y = new double[_n]; _xExo = new double[_n]; _h = new double[_n]; _disp = new double[_n];
        _normals = new double[_n]; _shock = new double[_n]; _mid = new double[_n]; _oracle = new double[_n];
        _rate = new double[_n]; _execution = new double[_n]; _flowUnits = new double[_n];
        _minMid = new double[_n]; _minExo = new double[_n]; _maxDisp = new double[_n];
        _liquidated = new double[_n]; _closedUnits = new double[_n];
        _oracleHistory = new double[Math.Max(1, plan.OracleDelay) * _n];
        _s = new double[_cohorts]; _k = new double[_cohorts]; _b = new double[_cohorts]; _fraction = new double[_cohorts];
        _open = new bool[_cohorts]; _forceClose = new bool[_cohorts]; _touched = new bool[_cohorts];
        _touchedList = new int[_cohorts];
        _inverseP0 = plan.LogPrice0.Select(x => 1.0 / Math.Exp(x)).ToArray();
        _partialStep = new int[_cohorts]; _liquidatedList = new int[_cohorts];
    }

    /// <summary>Simulates path <paramref name="path"/> and writes its outputs at row <paramref name="row"/>.</summary>
    public void Run(ulong path, PathOutputs outputs, int row)
    {
        var plan = _plan;
        int n = _n;
        double dt = plan.Dt, sqrtDt = Math.Sqrt(dt);
        ulong seed = plan.Seed;
        int delay = plan.OracleDelay;

        for (int i = 0; i < n; i++)
        {
            _x[i] = plan.LogPrice0[i];
            _xExo[i] = plan.LogPrice0[i];
            _y[i] = 0;
            _disp[i] = 0;
            _h[i] = plan.Variance0[i];
            _mid[i] = Math.Exp(plan.LogPrice0[i]);
            _minMid[i] = 1.0;
            _minExo[i] = 1.0;
            _maxDisp[i] = 0;
            _liquidated[i] = 0;
            _closedUnits[i] = 0;
        }
        for (int slot = 0; slot < delay; slot++)
            Array.Copy(plan.LogPrice0, 0, _oracleHistory, slot * n, n);
        _touchedCount = 0;
        _marginChecks = 0;
        _liquidations = 0;
        for (int c = 0; c < _cohorts; c++)
        {
            _s[c] = 1.0;
            _k[c] = 1.0;
            _b[c] = plan.UsdCollateral[c];
            _open[c] = true;
            _forceClose[c] = false;
            _touched[c] = false;
            _partialStep[c] = -1;
        }

        double fund = plan.FundStart, fundMin = fund;
        double badDebt = 0, paid = 0, uncovered = 0, penalties = 0;
        int maxRounds = 0;
        bool capHit = false, cascade = false;

        for (int step = 0; step < plan.Steps; step++)
        {
            ExogenousMove(path, (uint)step, seed, dt, sqrtDt);

            // Oracle for the step: live (refreshed every round) or the end price of step k - d.
            if (delay > 0)
            {
                int slot = step % delay;
                for (int i = 0; i < n; i++) _oracle[i] = Math.Exp(_oracleHistory[slot * n + i]);
            }

            int rounds = 0;
            for (int round = 1; round <= plan.RoundCap; round++)
            {
                if (delay == 0) Array.Copy(_mid, _oracle, n);
                int count = CollectLiquidations(step);
                if (count == 0) break;
                _liquidations += count;
                rounds = round;
                Execute(path, step);
                Settle(count, step, ref fund, ref badDebt, ref paid, ref uncovered, ref penalties);
                if (fund < fundMin) fundMin = fund;
                for (int i = 0; i < n; i++)
                {
                    double ad = Math.Abs(_disp[i]);
                    if (ad > _maxDisp[i]) _maxDisp[i] = ad;
                    if (ad >= plan.CascadeThreshold) cascade = true;
                    TrackMin(i);
                }
                if (round == plan.RoundCap)
                {
                    if (delay == 0) Array.Copy(_mid, _oracle, n);
                    if (AnyPending(step)) capHit = true;
                }
            }
            if (rounds > maxRounds) maxRounds = rounds;

            if (delay > 0)
            {
                int slot = step % delay;
                for (int i = 0; i < n; i++) _oracleHistory[slot * n + i] = _x[i] + _y[i];
            }
        }

        outputs.BadDebt[row] = badDebt;
        outputs.BadDebtPaid[row] = paid;
        outputs.UncoveredLoss[row] = uncovered;
        outputs.Penalties[row] = penalties;
        outputs.FundEnd[row] = fund;
        outputs.FundMin[row] = fundMin;
        outputs.MaxRoundsInStep[row] = maxRounds;
        outputs.RoundCapHit[row] = capHit;
        outputs.Cascade[row] = cascade;
        double total = 0, closedShare = 0;
        for (int i = 0; i < n; i++)
        {
            int o = row * n + i;
            total += _liquidated[i];
            outputs.LiquidatedNotionalByAsset[o] = _liquidated[i];
            outputs.MaxDrawdown[o] = 1.0 - _minMid[i];
            outputs.ExogenousMaxDrawdown[o] = 1.0 - _minExo[i];
            outputs.MaxDisplacement[o] = _maxDisp[i];
            outputs.FinalPrice[o] = _mid[i];
            if (plan.BookUnits[i] > 0) closedShare = Math.Max(closedShare, _closedUnits[i] / plan.BookUnits[i]);
        }
        outputs.LiquidatedNotional[row] = total;
        outputs.ClosedUnitsShare[row] = closedShare;
        outputs.MarginChecks[row] = _marginChecks;
        outputs.CohortLiquidations[row] = _liquidations;
    }

    /// <summary>MODEL.md 2.1-2.6: shocks, returns, GARCH, jumps, stress, impact decay.</summary>
    private void ExogenousMove(ulong path, uint step, ulong seed, double dt, double sqrtDt)
    {
        var plan = _plan;
        int n = _n;
        RandomStreams.StepNormals(seed, path, step, _normals);
        var l = plan.CholeskyLower;
        double scale = 1.0;
        if (plan.StudentT)
        {
            double w = RandomStreams.ChiSquare(seed, path, step, plan.Dof);
            scale = Math.Sqrt(plan.StudentScaleNumerator / w);
        }
        for (int i = 0; i < n; i++)
        {
            double e = 0;
            for (int j = 0; j <= i; j++) e += l[i * n + j] * _normals[j];
            _shock[i] = e * scale;
        }
        double jump = 0;
        bool jumped = false;
        if (plan.Jumps && RandomStreams.JumpUniform(seed, path, step) < plan.JumpProbability)
        {
            jumped = true;
            jump = plan.JumpMean + plan.JumpVolatility * RandomStreams.JumpNormal(seed, path, step);
        }
        for (int i = 0; i < n; i++)
        {
            double h = _h[i];
            double diffusion = Math.Sqrt(h) * sqrtDt * _shock[i];
            double dx = (plan.Drift[i] - 0.5 * h) * dt + diffusion;
            if (jumped) dx += plan.JumpBeta[i] * jump;
            _x[i] += dx;
            _xExo[i] += dx;
            if (plan.Garch)
                _h[i] = plan.GarchOmega[i] + plan.GarchAlpha * diffusion * diffusion / dt + plan.GarchBeta * h;
        }
        for (int s = plan.StressStart[step]; s < plan.StressStart[step + 1]; s++)
        {
            int a = plan.StressAsset[s];
            _x[a] += plan.StressLogReturn[s];
            _xExo[a] += plan.StressLogReturn[s];
        }
        for (int i = 0; i < n; i++)
        {
            _y[i] *= plan.ImpactDecay[i];
            _disp[i] *= plan.ImpactDecay[i];
            _mid[i] = Math.Exp(_x[i] + _y[i]);
            if (!double.IsFinite(_mid[i]) || _mid[i] <= 0)
                throw new SimulationException(
                    $"path {path}, step {step}: the price of {plan.Symbols[i]} left the representable range " +
                    $"(log price {_x[i] + _y[i]:G6}) after its exogenous move; check assets[{i}] and the market settings");
            double exo = Math.Exp(_xExo[i] - plan.LogPrice0[i]);
            if (exo < _minExo[i]) _minExo[i] = exo;
            TrackMin(i);
            // Margin rates for the step: static, or volatility-scaled with the variance after this step's update.
            _rate[i] = plan.Margin[i] switch
            {
                MarginKind.Static => plan.MarginRate[i],
                MarginKind.Dynamic => Math.Max(plan.MarginFloor[i], plan.MarginVolScale[i] * Math.Sqrt(_h[i])),
                _ => 0.0,
            };
        }
    }

    private void TrackMin(int i)
    {
        double rel = _mid[i] * _inverseP0[i]; // the mid is always exp(x + y) of the current state
        if (rel < _minMid[i]) _minMid[i] = rel;
    }

    /// <summary>Equity minus maintenance requirement of an open cohort at the current oracle prices.</summary>
    private double Excess(int c)
    {
        // The hot loop of the engine: array references in locals so the JIT keeps them in registers.
        var plan = _plan;
        var start = plan.PositionStart;
        var assets = plan.PositionAsset;
        var units = plan.PositionUnits;
        var oracle = _oracle;
        var rate = _rate;
        double s = _s[c];
        double positionValue = 0, requirement = 0;
        int end = start[c + 1];
        if (_anyTiered)
        {
            var tiered = plan.PositionTiered;
            for (int p = start[c]; p < end; p++)
            {
                int a = assets[p];
                double q = units[p], o = oracle[a];
                positionValue += q * o;
                double notional = Math.Abs(q) * o;
                requirement += tiered[p] ? TieredRequirement(a, s * notional, plan.Accounts[c]) : s * rate[a] * notional;
            }
        }
        else
        {
            for (int p = start[c]; p < end; p++)
            {
                int a = assets[p];
                double q = units[p], o = oracle[a];
                positionValue += q * o;
                requirement += rate[a] * Math.Abs(q) * o;
            }
            requirement *= s;
        }
        double equity = _b[c] + s * (positionValue - plan.EntryValue[c]);
        int collateralEnd = plan.CollateralStart[c + 1];
        int j = plan.CollateralStart[c];
        if (j < collateralEnd)
        {
            double collateral = 0;
            for (; j < collateralEnd; j++)
            {
                int a = plan.CollateralAsset[j];
                collateral += plan.CollateralWeight[a] * plan.CollateralUnits[j] * oracle[a];
            }
            equity += _k[c] * collateral;
        }
        return equity - requirement;
    }

    private double TieredRequirement(int asset, double notional, double accounts)
    {
        var plan = _plan;
        double perAccount = notional / accounts;
        int last = plan.TierStart[asset + 1] - 1;
        int t = plan.TierStart[asset];
        while (t < last && perAccount > plan.TierCap[t]) t++;
        return notional * plan.TierRate[t] - accounts * plan.TierAmount[t];
    }

    /// <summary>MODEL.md 5.2-5.3: finds the cohorts to liquidate this round and their flows in units.</summary>
    private int CollectLiquidations(int step)
    {
        var plan = _plan;
        int count = ScanCandidates(step, stopAtFirst: false);
        if (count == 0) return 0;
        // Candidates come in screening order; settle and sum flows in cohort order, as the unscreened loop (and the
        // device kernel) does, so that every sum is bit-identical.
        Array.Sort(_liquidatedList, 0, count);
        Array.Clear(_flowUnits);
        for (int idx = 0; idx < count; idx++)
        {
            int c = _liquidatedList[idx];
            double fs = _fraction[c] * _s[c];
            for (int p = plan.PositionStart[c]; p < plan.PositionStart[c + 1]; p++)
                _flowUnits[plan.PositionAsset[p]] -= fs * plan.PositionUnits[p];
            double fk = _fraction[c] * _k[c];
            for (int j = plan.CollateralStart[c]; j < plan.CollateralStart[c + 1]; j++)
                _flowUnits[plan.CollateralAsset[j]] -= fk * plan.CollateralUnits[j];
        }
        return count;
    }

    /// <summary>Whether some cohort would still be liquidated (used when the round cap is reached).</summary>
    private bool AnyPending(int step) => ScanCandidates(step, stopAtFirst: true) > 0;

    /// <summary>
    /// Lists the cohorts to liquidate at the current oracle prices in <c>_liquidatedList</c> with their fractions:
    /// cohorts this path has touched, and in each screening group (long books, short books, mixed) the prefix of untouched
    /// cohorts whose slack the prices' largest relative fall, rise or move (and the dynamic margins' rise above their
    /// floors) can have used up (SimulationPlan.BuildScreening).
    /// </summary>
    private int ScanCandidates(int step, bool stopAtFirst)
    {
        var plan = _plan;
        int count = 0;
        if (!_screen)
        {
            for (int c = 0; c < _cohorts; c++)
                if (Consider(c, step, ref count) && stopAtFirst) return count;
            return count;
        }
        for (int t = 0; t < _touchedCount; t++)
            if (Consider(_touchedList[t], step, ref count) && stopAtFirst) return count;
        double fall = 0, rise = 0, dynamicExcess = 0;
        for (int a = 0; a < _n; a++)
        {
            double r = _oracle[a] * _inverseP0[a] - 1.0;
            if (-r > fall) fall = -r;
            if (r > rise) rise = r;
            if (plan.Margin[a] == MarginKind.Dynamic) dynamicExcess = Math.Max(dynamicExcess, _rate[a] - plan.MarginFloor[a]);
        }
        double delta = Math.Max(fall, rise);
        var order = plan.ScreenOrder;
        var slack = plan.ScreenSlack;
        var groupStart = plan.ScreenGroupStart;
        for (int group = 0; group < SimulationPlan.ScreenGroups; group++)
        {
            // Long books (group 0) only fear falls, short books (1) only rises, mixed ones (2) either.
            double move = group == 0 ? fall : group == 1 ? rise : delta;
            double bound = move + dynamicExcess * (1.0 + delta) * plan.DynamicExposure + SimulationPlan.ScreenEpsilon;
            for (int k = groupStart[group]; k < groupStart[group + 1] && slack[k] <= bound; k++)
            {
                int c = order[k];
                if (_touched[c]) continue; // already considered above
                if (Consider(c, step, ref count) && stopAtFirst) return count;
            }
        }
        return count;
    }

    /// <summary>Adds cohort <paramref name="c"/> to the round's list when it is to be liquidated; true if added.</summary>
    private bool Consider(int c, int step, ref int count)
    {
        if (!_open[c]) return false;
        double f;
        if (_forceClose[c]) f = 1.0;
        else
        {
            if (_plan.Tranche < 1.0 && _partialStep[c] == step) return false;
            _marginChecks++;
            if (!(Excess(c) < 0)) return false;
            f = _plan.Tranche;
        }
        _fraction[c] = f;
        _liquidatedList[count++] = c;
        return true;
    }

    /// <summary>MODEL.md section 3: executes each asset's net flow, valued at the mid before the round's impact.</summary>
    private void Execute(ulong path, int step)
    {
        var plan = _plan;
        for (int i = 0; i < _n; i++)
        {
            double units = _flowUnits[i];
            if (units == 0)
            {
                _execution[i] = _mid[i];
                continue;
            }
            double flow = units * _mid[i];
            double delta = plan.Impact[i] == ImpactKind.Linear
                ? plan.ImpactScale[i] * flow
                : Math.Sign(flow) * plan.ImpactScale[i] * Math.Sqrt(Math.Abs(flow));
            _execution[i] = _mid[i] * Math.Exp(plan.ExecutionEta[i] * delta);
            double permanent = plan.PermanentShare[i] * delta;
            _x[i] += permanent;
            _y[i] += delta - permanent;
            _disp[i] += delta;
            _mid[i] = Math.Exp(_x[i] + _y[i]);
            if (!double.IsFinite(_mid[i]) || _mid[i] <= 0) PriceOutOfRange(path, step, i, flow);
        }
    }

    /// <summary>Fails loudly rather than report NaN or infinite money (MODEL.md section 7's identities would not hold).</summary>
    private void PriceOutOfRange(ulong path, int step, int asset, double flow) =>
        throw new SimulationException(
            $"path {path}, step {step}: the price of {_plan.Symbols[asset]} left the representable range " +
            $"(log price {_x[asset] + _y[asset]:G6}) after a liquidation flow of {flow:G4} USD; " +
            $"assets[{asset}]: the market is far too shallow for the book (raise its depth or volume)");

    /// <summary>MODEL.md 5.4-5.5: settles the round's liquidations at execution prices, then the insurance fund.</summary>
    private void Settle(int count, int step, ref double fund, ref double badDebt, ref double paid,
        ref double uncovered, ref double penalties)
    {
        var plan = _plan;
        double roundPenalties = 0, roundBadDebt = 0;
        for (int idx = 0; idx < count; idx++)
        {
            int c = _liquidatedList[idx];
            double f = _fraction[c];
            double s = _s[c], k = _k[c];
            double positionValue = 0, closedNotional = 0, grossNotional = 0;
            for (int p = plan.PositionStart[c]; p < plan.PositionStart[c + 1]; p++)
            {
                int a = plan.PositionAsset[p];
                double q = plan.PositionUnits[p];
                double px = _execution[a];
                positionValue += q * px;
                double notional = Math.Abs(q) * px;
                grossNotional += notional;
                _liquidated[a] += f * s * notional;
                _closedUnits[a] += f * s * Math.Abs(q);
            }
            closedNotional = f * s * grossNotional;
            double collateralValue = 0, weightedCollateral = 0;
            for (int j = plan.CollateralStart[c]; j < plan.CollateralStart[c + 1]; j++)
            {
                int a = plan.CollateralAsset[j];
                double v = plan.CollateralUnits[j] * _execution[a];
                collateralValue += v;
                weightedCollateral += plan.CollateralWeight[a] * v;
            }
            double b = _b[c] + f * s * (positionValue - plan.EntryValue[c]) + f * k * collateralValue;
            s *= 1.0 - f;
            k *= 1.0 - f;
            _s[c] = s;
            _k[c] = k;
            double equityAfter = b + k * weightedCollateral + s * (positionValue - plan.EntryValue[c]);
            double penalty = Math.Min(plan.Penalty * closedNotional, Math.Max(equityAfter, 0.0));
            b -= penalty;
            roundPenalties += penalty;
            if (f >= 1.0)
            {
                // Closed: negative equity is bad debt; positive equity leaves with the traders.
                if (b < 0) roundBadDebt -= b;
                _b[c] = 0;
                _open[c] = false;
                _forceClose[c] = false;
            }
            else
            {
                _b[c] = b;
                _partialStep[c] = step;
                if (_plan.Screenable[c] && !_touched[c])
                {
                    _touched[c] = true; // its state left the start: the screen's bound no longer applies
                    _touchedList[_touchedCount++] = c;
                }
                double remaining = s * grossNotional;
                if (equityAfter - penalty <= 0 || remaining < plan.DustPerAccount * plan.Accounts[c])
                    _forceClose[c] = true; // closed entirely at the next round's prices
            }
        }
        fund += roundPenalties;
        double pay = Math.Min(fund, roundBadDebt);
        fund -= pay;
        penalties += roundPenalties;
        badDebt += roundBadDebt;
        paid += pay;
        uncovered += roundBadDebt - pay;
    }
}
