using System.Collections.Immutable;
using GpuCascade.Prices;
using GpuCascade.Scenarios;
using MathNet.Numerics;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using MathNet.Numerics.Statistics;

namespace GpuCascade.MarketData;

/// <summary>An estimate and its standard error (NaN when none could be computed).</summary>
/// <param name="Value">The estimate.</param>
/// <param name="StandardError">Its standard error.</param>
public readonly record struct Estimate(double Value, double StandardError)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Value:G6} (s.e. {StandardError:G3})";
}

/// <summary>How <see cref="MarketFitter.Fit"/> works (docs/market-data.md).</summary>
public sealed record FitOptions
{
    /// <summary>The interval of the returns [null: the coarsest spacing of the files]; a file must not be coarser.</summary>
    public TimeSpan? Interval { get; init; }
    /// <summary>The EWMA's decay per interval [0.94, RiskMetrics].</summary>
    public double EwmaLambda { get; init; } = 0.94;
    /// <summary>The threshold method's tail probability: a return is a jump when its standardised size is beyond the
    /// fitted Student-t's two-sided quantile of this probability [0.0001].</summary>
    public double JumpTail { get; init; } = 0.0001;
}

/// <summary>One asset's fitted figures (volatilities annualised, in years of 365 days).</summary>
/// <param name="Symbol">The asset.</param>
/// <param name="LastPrice">The last close.</param>
/// <param name="First">The first return's end.</param>
/// <param name="Last">The last return's end.</param>
/// <param name="Returns">Returns used.</param>
/// <param name="Gaps">Intervals with no price (a return across a gap is not used).</param>
/// <param name="Volatility">GARCH's conditional volatility after the last return: the scenario's starting volatility.</param>
/// <param name="LongRunVolatility">The long-run volatility GARCH targets (the sample's, variance targeting).</param>
/// <param name="EwmaVolatility">The EWMA volatility after the last return.</param>
/// <param name="JumpBeta">The asset's loading on the common jump (1 for the first file's asset; NaN standard error when
/// it had no return at a jump).</param>
/// <param name="Duplicates">Rows of its file that repeated a time (the first was kept).</param>
public sealed record AssetFit(string Symbol, double LastPrice, DateTimeOffset First, DateTimeOffset Last, int Returns, int Gaps,
    Estimate Volatility, Estimate LongRunVolatility, Estimate EwmaVolatility, Estimate JumpBeta, int Duplicates = 0);

/// <summary>
/// The market fitted to price files (docs/market-data.md): per asset volatilities, a GARCH(1,1) with Student-t shocks
/// (shared by the assets, as the engine's), a common jump by the threshold method and the correlation of the
/// standardised shocks, each with a standard error.
/// </summary>
public sealed record MarketFit
{
    /// <summary>The returns' interval: the scenario's step.</summary>
    public required TimeSpan Interval { get; init; }
    /// <summary>The assets, in the files' order.</summary>
    public required ImmutableArray<AssetFit> Assets { get; init; }
    /// <summary>GARCH's alpha and beta, per interval.</summary>
    public required Estimate GarchAlpha { get; init; }
    /// <summary>GARCH's beta, per interval.</summary>
    public required Estimate GarchBeta { get; init; }
    /// <summary>The Student-t degrees of freedom.</summary>
    public required Estimate Dof { get; init; }
    /// <summary>Jumps detected (0: the scenario has none).</summary>
    public required int Jumps { get; init; }
    /// <summary>Jumps a year, their mean log size and its volatility (of the first asset; the others load by JumpBeta).</summary>
    public required Estimate JumpIntensity { get; init; }
    /// <summary>The jumps' mean log size.</summary>
    public required Estimate JumpMeanLogSize { get; init; }
    /// <summary>The jumps' log-size volatility.</summary>
    public required Estimate JumpLogSizeVolatility { get; init; }
    /// <summary>The correlation of the standardised shocks, row-major N x N, positive definite.</summary>
    public required ImmutableArray<double> Correlation { get; init; }
    /// <summary>The standard error of each entry, (1 - rho^2) / sqrt(n) times sqrt(1 + 2 / (nu - 4)) (NaN for nu &lt;= 4).</summary>
    public required ImmutableArray<double> CorrelationStandardErrors { get; init; }
    /// <summary>The weight delta of the identity in (1 - delta) R + delta I that made the pairwise matrix positive
    /// definite (0 when it was).</summary>
    public required double Shrinkage { get; init; }
    /// <summary>The GARCH-t log-likelihood at the estimate (the returns at jumps left out).</summary>
    public required double LogLikelihood { get; init; }

    /// <summary>The interval in years.</summary>
    public double IntervalYears => Interval.TotalSeconds / Duration.SecondsPerYear;
}

/// <summary>Fits the engine's market model to price files (docs/market-data.md).</summary>
public static class MarketFitter
{
    private const double MinimumEigenvalue = 1e-6;
    private const int MinimumOverlap = 30; // intervals two assets share, for their correlation
    private const int MaxPasses = 10; // GARCH fits, the jumps left out of all but the first

    /// <summary>Fits <paramref name="series"/> (one per asset, distinct symbols).</summary>
    /// <exception cref="PriceFileException">Too few returns, or a file coarser than the interval.</exception>
    public static MarketFit Fit(IReadOnlyList<PriceSeries> series, FitOptions? options = null)
    {
        options ??= new FitOptions();
        if (series.Count == 0) throw new ArgumentException("at least one price series is needed", nameof(series));
        if (series.GroupBy(s => s.Symbol).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new PriceFileException($"{twice.Key} is given by more than one file ({string.Join(", ", twice.Select(s => s.Source))})");
        if (!(options.JumpTail is >= 1e-6 and <= 0.05))
            throw new ArgumentOutOfRangeException(nameof(options), options.JumpTail, "the jump tail must be in [1e-6, 0.05]");
        if (!(options.EwmaLambda is > 0 and < 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.EwmaLambda, "the EWMA's lambda must be in (0, 1)");
        var interval = options.Interval ?? series.Select(s => s.Spacing).Max();
        if (interval < TimeSpan.FromSeconds(1))
            throw new PriceFileException($"the interval is {interval.TotalMilliseconds:0.###} ms; the files' rows are closer than 1 s apart: give --interval");
        var grids = series.Select(s => ReturnSeries.On(s, interval)).ToArray();
        foreach (var g in grids)
        {
            if (g.Returns.Length < 50)
                throw new PriceFileException($"{g.Source}: {g.Returns.Length} returns at {Intervals.Format(interval)}; at least 50 are needed for a fit");
            if (g.Returns.All(r => r == 0)) throw new PriceFileException($"{g.Source}: the price never changes at {Intervals.Format(interval)}");
        }
        double dt = interval.TotalSeconds / Duration.SecondsPerYear;
        // GARCH-t on every return gives the sigmas; then GARCH-t again with the jumps' returns left out of the likelihood
        // (the variance carries on at its expectation through them), and the jumps found again beyond the fitted t's
        // threshold, until they repeat.
        var garch = GarchT.Fit(grids, []);
        // The candidates: beyond the normal's quantile (a t fitted with the jumps in it has tails so fat that its own
        // threshold finds none of them).
        var jumps = Jumps(grids[0], garch, Normal.InvCDF(0, 1, 1 - options.JumpTail / 2));
        for (int pass = 1; pass < MaxPasses && jumps.Count > 0; pass++)
        {
            garch = GarchT.Fit(grids, jumps);
            var found = Jumps(grids[0], garch, Threshold(garch.Dof.Value, options.JumpTail));
            if (found.SetEquals(jumps)) break;
            jumps = found;
            if (pass == MaxPasses - 1) garch = GarchT.Fit(grids, jumps); // the last set found, fitted without it
        }
        var sigmas = grids.Select((g, i) => garch.Filter(g, i, jumps)).ToArray();
        int n = grids.Length;
        var assets = ImmutableArray.CreateBuilder<AssetFit>(n);
        var reference = grids[0];
        var jumpSet = jumps.ToArray();
        var (correlation, errors, shrinkage) = Correlation(grids, sigmas, jumps, garch.Dof.Value);
        for (int i = 0; i < n; i++)
        {
            var g = grids[i];
            assets.Add(new AssetFit(series[i].Symbol, g.LastPrice, g.FirstTime, g.LastTime, g.Returns.Length, g.Gaps,
                garch.CurrentVolatility(g, i, jumps, dt), garch.LongRunVolatility(g, i, dt), Ewma(g, options.EwmaLambda, dt),
                i == 0 ? new Estimate(1, 0) : JumpBeta(g, reference, jumpSet, sigmas[i], sigmas[0], correlation[i * n]),
                series[i].Duplicates));
        }
        var (intensity, mean, volatility) = JumpSizes(reference, sigmas[0], jumpSet, options.JumpTail, dt);
        return new MarketFit
        {
            Interval = interval,
            Assets = assets.ToImmutable(),
            GarchAlpha = garch.Alpha,
            GarchBeta = garch.Beta,
            Dof = garch.Dof,
            Jumps = jumpSet.Length,
            JumpIntensity = intensity,
            JumpMeanLogSize = mean,
            JumpLogSizeVolatility = volatility,
            Correlation = correlation,
            CorrelationStandardErrors = errors,
            Shrinkage = shrinkage,
            LogLikelihood = garch.LogLikelihood,
        };
    }

    /// <summary>The buckets where the first asset's standardised return is beyond <paramref name="threshold"/>.</summary>
    private static HashSet<long> Jumps(ReturnSeries reference, GarchT garch, double threshold)
    {
        var sigma = garch.Filter(reference, 0, garch.Excluded);
        var set = new HashSet<long>();
        for (int t = 0; t < reference.Returns.Length; t++)
            if (Math.Abs(reference.Returns[t] / sigma[t]) > threshold) set.Add(reference.Buckets[t]);
        return set;
    }

    /// <summary>The standardised (unit-variance) Student-t's two-sided quantile of <paramref name="tail"/>.</summary>
    internal static double Threshold(double dof, double tail) =>
        StudentT.InvCDF(0, 1, dof, 1 - tail / 2) * Math.Sqrt((dof - 2) / dof);

    /// <summary>The jumps a year (less the threshold's expected false alarms), and the mean and volatility of their log size
    /// (the returns' robust spread less the diffusion's variance at those times).</summary>
    private static (Estimate Intensity, Estimate Mean, Estimate Volatility) JumpSizes(ReturnSeries reference, double[] sigma, long[] jumps,
        double tail, double dt)
    {
        double years = reference.Returns.Length * dt;
        int count = jumps.Length;
        if (count == 0) return (new Estimate(0, 1 / years), new Estimate(0, double.NaN), new Estimate(0, double.NaN));
        var index = reference.Index;
        var sizes = jumps.Select(b => reference.Returns[index[b]]).ToArray();
        double diffusion = jumps.Select(b => sigma[index[b]] * sigma[index[b]]).Average();
        // Robust location and scale (the median, and 1.4826 times the median absolute deviation), so that the threshold's
        // few false alarms, diffusion returns near it, do not widen the sizes; their standard errors are the normal's.
        double median = sizes.Median(), scale = 1.4826 * sizes.Select(x => Math.Abs(x - median)).Median();
        double expectedFalse = reference.Returns.Length * tail;
        var intensity = new Estimate(Math.Max(0, count - expectedFalse) / years, Math.Sqrt(count) / years);
        double volatility = Math.Sqrt(Math.Max(0, scale * scale - diffusion));
        // The scale's error carried through sqrt(scale^2 - diffusion): d vol = (scale / vol) d scale.
        double seScale = count > 1 ? scale / Math.Sqrt(0.734 * count) : double.NaN;
        return (intensity, new Estimate(median, count > 1 ? 1.2533 * scale / Math.Sqrt(count) : double.NaN),
            new Estimate(volatility, volatility > 0 ? scale / volatility * seScale : seScale));
    }

    /// <summary>An asset's loading on the common jump: its returns regressed on the first asset's at the jumps, through 0.</summary>
    private static Estimate JumpBeta(ReturnSeries asset, ReturnSeries reference, long[] jumps, double[] assetSigma, double[] referenceSigma, double rho)
    {
        var pairs = jumps.Where(b => asset.Index.ContainsKey(b))
            .Select(b => (X: reference.Returns[reference.Index[b]], Y: asset.Returns[asset.Index[b]],
                Sx: referenceSigma[reference.Index[b]], Sy: assetSigma[asset.Index[b]])).ToArray();
        if (pairs.Length == 0) return new Estimate(1, double.NaN);
        // The reference's return carries its diffusion too: its variance and covariance with the asset's are taken off the
        // sums (errors in the regressor would pull beta towards 0).
        double xx = pairs.Sum(p => p.X * p.X - p.Sx * p.Sx), beta = pairs.Sum(p => p.X * p.Y - rho * p.Sx * p.Sy) / xx;
        double residual = pairs.Length > 1 ? pairs.Sum(p => (p.Y - beta * p.X) * (p.Y - beta * p.X)) / (pairs.Length - 1) : double.NaN;
        return new Estimate(beta, Math.Sqrt(residual / xx));
    }

    /// <summary>The EWMA volatility after the last return, seeded with the sample variance; its standard error
    /// sqrt((1 - lam) / (1 + lam) Var(r^2)) / (2 sigma^2) sigma (annualised).</summary>
    private static Estimate Ewma(ReturnSeries g, double lambda, double dt)
    {
        var r = g.Returns;
        double variance = r.Sum(x => x * x) / r.Length, v = variance;
        foreach (double x in r) v = lambda * v + (1 - lambda) * x * x;
        double squares = r.Sum(x => (x * x - variance) * (x * x - variance)) / (r.Length - 1); // Var(r^2)
        double seVariance = Math.Sqrt((1 - lambda) / (1 + lambda) * squares);
        double sigma = Math.Sqrt(v / dt);
        return new Estimate(sigma, seVariance / dt / (2 * sigma));
    }

    /// <summary>The pairwise correlation of the standardised shocks (returns over GARCH's sigma) on the intervals both
    /// assets have, without the jumps; shrunk to the identity until its smallest eigenvalue is at least 1e-6.</summary>
    private static (ImmutableArray<double> Correlation, ImmutableArray<double> Errors, double Shrinkage) Correlation(
        ReturnSeries[] grids, double[][] sigmas, HashSet<long> jumps, double dof)
    {
        int n = grids.Length;
        var r = Matrix<double>.Build.DenseIdentity(n);
        var se = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
            {
                var z = grids[i].Buckets.Select((b, t) => (b, t)).Where(p => !jumps.Contains(p.b) && grids[j].Index.ContainsKey(p.b))
                    .Select(p => (X: grids[i].Returns[p.t] / sigmas[i][p.t], Y: grids[j].Returns[grids[j].Index[p.b]] / sigmas[j][grids[j].Index[p.b]]))
                    .ToArray();
                if (z.Length < MinimumOverlap)
                    throw new PriceFileException($"{grids[i].Source} and {grids[j].Source} share {z.Length} intervals; at least {MinimumOverlap} are needed for their correlation");
                double rho = Math.Clamp(MathNet.Numerics.Statistics.Correlation.Pearson(z.Select(p => p.X), z.Select(p => p.Y)), -1, 1);
                r[i, j] = r[j, i] = rho;
                // Normal theory's (1 - rho^2) / sqrt(n), times sqrt(1 + 2 / (nu - 4)) for the t's kurtosis (none below nu = 4).
                se[i * n + j] = se[j * n + i] = dof > 4 ? Math.Sqrt(1 + 2 / (dof - 4)) * (1 - rho * rho) / Math.Sqrt(z.Length) : double.NaN;
            }
        double minimum = r.Evd(Symmetricity.Symmetric).EigenValues.Min(e => e.Real);
        double delta = minimum >= MinimumEigenvalue ? 0 : (MinimumEigenvalue - minimum) / (1 - minimum);
        var shrunk = r * (1 - delta) + Matrix<double>.Build.DenseIdentity(n) * delta;
        var flat = ImmutableArray.CreateBuilder<double>(n * n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) flat.Add(i == j ? 1 : Math.Round(shrunk[i, j], 12));
        return (flat.ToImmutable(), [.. se], delta);
    }

}

/// <summary>
/// GARCH(1,1) with standardised Student-t shocks, alpha, beta and nu shared by the assets (the engine's model), each
/// asset's long-run variance its sample variance (variance targeting); fitted by Nelder-Mead (MathNet.Numerics) on the
/// composite log-likelihood (the assets' likelihoods summed), with sandwich standard errors that allow for the assets'
/// correlation.
/// </summary>
internal sealed class GarchT
{
    private const double MaxDof = 498;
    public required Estimate Alpha { get; init; }
    public required Estimate Beta { get; init; }
    public required Estimate Dof { get; init; }
    public required double LogLikelihood { get; init; }
    /// <summary>The intervals left out of the fit (the jumps).</summary>
    public required HashSet<long> Excluded { get; init; }
    private double[] _longRun = [];
    private Matrix<double> _covariance = Matrix<double>.Build.Dense(3, 3);

    /// <summary>Fits alpha, beta and nu to <paramref name="grids"/>, leaving out the returns in <paramref name="jumps"/>.</summary>
    public static GarchT Fit(ReturnSeries[] grids, HashSet<long> jumps)
    {
        var longRun = grids.Select(g => g.Returns.Where((_, t) => !jumps.Contains(g.Buckets[t])).Select(x => x * x).Average()).ToArray();
        // Unconstrained: persistence = 0.9999 logistic(u0), alpha = persistence logistic(u1), nu = 2.05 + 498 logistic(u2)
        // (at 500 degrees of freedom the t is the normal to the data's precision; unbounded, nu drifts away on normal data).
        static (double A, double B, double Nu) Map(Vector<double> u)
        {
            double persistence = 0.9999 / (1 + Math.Exp(-u[0])), share = 1 / (1 + Math.Exp(-u[1]));
            return (persistence * share, persistence * (1 - share), 2.05 + MaxDof / (1 + Math.Exp(-u[2])));
        }
        double Objective(Vector<double> u)
        {
            var (a, b, nu) = Map(u);
            double ll = Total(grids, longRun, jumps, a, b, nu);
            return double.IsFinite(ll) ? -ll : double.MaxValue;
        }
        // Start: persistence 0.95, alpha 0.05, nu 8.
        var start = Vector<double>.Build.DenseOfArray([Math.Log(0.95 / 0.0499), Math.Log(0.05 / 0.9), -Math.Log(MaxDof / (8 - 2.05) - 1)]);
        MinimizationResult result;
        try
        {
            result = new NelderMeadSimplex(1e-10, 20_000).FindMinimum(ObjectiveFunction.Value(Objective), start);
        }
        catch (MaximumIterationsException)
        {
            throw new PriceFileException("the GARCH(1,1)-t likelihood did not converge in 20,000 Nelder-Mead iterations (too few returns, or constant prices?)");
        }
        var (alpha, beta, dof) = Map(result.MinimizingPoint);
        var theta = new[] { alpha, beta, dof };
        var covariance = Sandwich(grids, longRun, jumps, theta);
        double Se(int k) => covariance[k, k] >= 0 ? Math.Sqrt(covariance[k, k]) : double.NaN;
        return new GarchT
        {
            Alpha = new Estimate(alpha, Se(0)),
            Beta = new Estimate(beta, Se(1)),
            Dof = new Estimate(dof, Se(2)),
            LogLikelihood = Total(grids, longRun, jumps, alpha, beta, dof),
            Excluded = jumps,
            _longRun = longRun,
            _covariance = covariance,
        };
    }

    /// <summary>Asset <paramref name="i"/>'s conditional sigma (per interval) before each of its returns.</summary>
    public double[] Filter(ReturnSeries g, int i, HashSet<long> jumps) => Sigmas(g, _longRun[i], jumps, Alpha.Value, Beta.Value, out _);

    private static double[] Sigmas(ReturnSeries g, double longRun, HashSet<long> jumps, double a, double b, out double next)
    {
        var sigma = new double[g.Returns.Length];
        double omega = longRun * (1 - a - b), v = longRun;
        for (int t = 0; t < g.Returns.Length; t++)
        {
            sigma[t] = Math.Sqrt(v);
            double r2 = jumps.Contains(g.Buckets[t]) ? v : g.Returns[t] * g.Returns[t];
            v = omega + a * r2 + b * v;
        }
        next = v;
        return sigma;
    }

    /// <summary>The long-run volatility (annualised) and its standard error: the sample variance's, whose squared returns
    /// are autocorrelated as GARCH(1,1)'s, rho_k = rho_1 (alpha + beta)^(k - 1), so that
    /// <c>Var = gamma_0 / n (1 + 2 rho_1 / (1 - alpha - beta))</c> (rho_1 the sample's; jumps at the variance). NaN for
    /// nu &lt;= 4, where the squared returns have no variance.</summary>
    public Estimate LongRunVolatility(ReturnSeries g, int i, double dt)
    {
        double v = _longRun[i], sigma = Math.Sqrt(v / dt);
        if (Dof.Value <= 4) return new Estimate(sigma, double.NaN);
        var sq = g.Returns.Select((x, t) => (Excluded.Contains(g.Buckets[t]) ? v : x * x) - v).ToArray();
        int n = sq.Length;
        double gamma0 = sq.Sum(x => x * x) / n, gamma1 = 0;
        for (int t = 1; t < n; t++) gamma1 += sq[t] * sq[t - 1];
        double rho1 = gamma0 > 0 ? Math.Max(0, gamma1 / n / gamma0) : 0, persistence = Math.Min(Alpha.Value + Beta.Value, 0.9999);
        double seVariance = Math.Sqrt(gamma0 / n * (1 + 2 * rho1 / (1 - persistence)));
        return new Estimate(sigma, seVariance / dt / (2 * sigma));
    }

    /// <summary>The conditional volatility after the last return (annualised), with a delta-method standard error from
    /// alpha's and beta's covariance.</summary>
    public Estimate CurrentVolatility(ReturnSeries g, int i, HashSet<long> jumps, double dt)
    {
        double Current(double a, double b)
        {
            Sigmas(g, _longRun[i], jumps, a, b, out double next);
            return Math.Sqrt(next / dt);
        }
        double a0 = Alpha.Value, b0 = Beta.Value, h = 1e-5, value = Current(a0, b0);
        double da = (Current(a0 + h, b0) - Current(a0 - h, b0)) / (2 * h), db = (Current(a0, b0 + h) - Current(a0, b0 - h)) / (2 * h);
        double variance = da * da * _covariance[0, 0] + 2 * da * db * _covariance[0, 1] + db * db * _covariance[1, 1];
        return new Estimate(value, variance >= 0 ? Math.Sqrt(variance) : double.NaN);
    }

    /// <summary>The composite log-likelihood.</summary>
    private static double Total(ReturnSeries[] grids, double[] longRun, HashSet<long> jumps, double a, double b, double nu)
    {
        double c = SpecialFunctions.GammaLn((nu + 1) / 2) - SpecialFunctions.GammaLn(nu / 2) - 0.5 * Math.Log(Math.PI * (nu - 2));
        double total = 0;
        for (int i = 0; i < grids.Length; i++)
        {
            var g = grids[i];
            bool any = jumps.Count > 0;
            double omega = longRun[i] * (1 - a - b), v = longRun[i];
            for (int t = 0; t < g.Returns.Length; t++)
            {
                double r = g.Returns[t];
                bool jump = any && jumps.Contains(g.Buckets[t]);
                if (!jump) total += c - 0.5 * Math.Log(v) - (nu + 1) / 2 * Math.Log(1 + r * r / ((nu - 2) * v));
                v = omega + a * (jump ? v : r * r) + b * v;
            }
        }
        return total;
    }

    /// <summary>The log-likelihood's contribution of each interval (summed over the assets that have a return in it).</summary>
    private static Dictionary<long, double> Contributions(ReturnSeries[] grids, double[] longRun, HashSet<long> jumps, double a, double b, double nu)
    {
        var total = new Dictionary<long, double>();
        double c = SpecialFunctions.GammaLn((nu + 1) / 2) - SpecialFunctions.GammaLn(nu / 2) - 0.5 * Math.Log(Math.PI * (nu - 2));
        for (int i = 0; i < grids.Length; i++)
        {
            var g = grids[i];
            var sigma = Sigmas(g, longRun[i], jumps, a, b, out _);
            for (int t = 0; t < g.Returns.Length; t++)
            {
                if (jumps.Contains(g.Buckets[t])) continue;
                double v = sigma[t] * sigma[t], r = g.Returns[t];
                double l = c - 0.5 * Math.Log(v) - (nu + 1) / 2 * Math.Log(1 + r * r / ((nu - 2) * v));
                total[g.Buckets[t]] = total.GetValueOrDefault(g.Buckets[t]) + l;
            }
        }
        return total;
    }

    /// <summary>The sandwich covariance A^-1 B A^-1 of (alpha, beta, nu): A minus the log-likelihood's Hessian, B the sum
    /// over intervals of the outer products of their scores (both by central differences).</summary>
    private static Matrix<double> Sandwich(ReturnSeries[] grids, double[] longRun, HashSet<long> jumps, double[] theta)
    {
        double[] steps = [1e-4, 1e-4, 1e-3 * theta[2]];
        double F(double[] p) => Total(grids, longRun, jumps, p[0], p[1], p[2]);
        double[] Shift(double[] p, int k, double d)
        {
            var q = (double[])p.Clone();
            q[k] += d;
            return q;
        }
        var hessian = Matrix<double>.Build.Dense(3, 3);
        double f0 = F(theta);
        for (int k = 0; k < 3; k++)
            for (int m = k; m < 3; m++)
            {
                double hk = steps[k], hm = steps[m], value;
                if (k == m) value = (F(Shift(theta, k, hk)) - 2 * f0 + F(Shift(theta, k, -hk))) / (hk * hk);
                else
                    value = (F(Shift(Shift(theta, k, hk), m, hm)) - F(Shift(Shift(theta, k, hk), m, -hm))
                             - F(Shift(Shift(theta, k, -hk), m, hm)) + F(Shift(Shift(theta, k, -hk), m, -hm))) / (4 * hk * hm);
                hessian[k, m] = hessian[m, k] = value;
            }
        var plus = new Dictionary<long, double>[3];
        var minus = new Dictionary<long, double>[3];
        for (int k = 0; k < 3; k++)
        {
            var p = Shift(theta, k, steps[k]);
            var q = Shift(theta, k, -steps[k]);
            plus[k] = Contributions(grids, longRun, jumps, p[0], p[1], p[2]);
            minus[k] = Contributions(grids, longRun, jumps, q[0], q[1], q[2]);
        }
        var outer = Matrix<double>.Build.Dense(3, 3);
        foreach (long bucket in plus[0].Keys)
        {
            var s = new double[3];
            for (int k = 0; k < 3; k++) s[k] = (plus[k][bucket] - minus[k][bucket]) / (2 * steps[k]);
            for (int k = 0; k < 3; k++)
                for (int m = 0; m < 3; m++) outer[k, m] += s[k] * s[m];
        }
        var inverse = (-hessian).Inverse();
        return inverse * outer * inverse;
    }
}
