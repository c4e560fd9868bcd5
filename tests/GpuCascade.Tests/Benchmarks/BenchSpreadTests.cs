using GpuCascade.Cli;
using GpuCascade.Cli.Commands.Bench;
using GpuCascade.Cli.Shared;

namespace GpuCascade.Tests.Benchmarks;

/// <summary>The spread bench prints beside its headline: median, min and max of the timed runs.</summary>
public class BenchSpreadTests
{
    [Test]
    public void AnOddCountHasItsMiddleValueAsMedian()
    {
        Assert.That(Spread.Of([0.30, 0.10, 0.50, 0.20, 0.40]), Is.EqualTo(new Spread(0.30, 0.10, 0.50)));
        Assert.That(Spread.Of([7.0]), Is.EqualTo(new Spread(7.0, 7.0, 7.0)));
    }

    [Test]
    public void AnEvenCountHasTheMeanOfItsTwoMiddleValuesAsMedian()
    {
        Assert.That(Spread.Of([4.0, 1.0, 3.0, 2.0]), Is.EqualTo(new Spread(2.5, 1.0, 4.0)));
        Assert.That(Spread.Of([2.0, 2.0]), Is.EqualTo(new Spread(2.0, 2.0, 2.0)));
    }

    [Test]
    public void AnOutlierMovesTheMaxButNotTheMedian()
    {
        var spread = Spread.Of([1.0, 1.1, 0.9, 1.05, 30.0]);
        Assert.That(spread.Median, Is.EqualTo(1.05));
        Assert.That((spread.Min, spread.Max), Is.EqualTo((0.9, 30.0)));
    }

    [Test]
    public void NoValueOrANaNIsRefused()
    {
        Assert.That(() => Spread.Of([]), Throws.ArgumentException);
        Assert.That(() => Spread.Of([1.0, double.NaN]), Throws.ArgumentException);
    }

    [Test]
    public void TheHelpNamesTheRepeatOptionAndItsDefault()
    {
        var stdout = new StringWriter();
        int code = CliApp.Run(["bench", "--help"], stdout, new StringWriter());
        Assert.That(code, Is.Zero);
        Assert.That(stdout.ToString(), Does.Contain("--repeat").And.Contain($"median, min and max [{BenchCommand.DefaultRepeat}]"));
        Assert.That(new BenchArguments().Repeat, Is.EqualTo(5));
    }
}
