using LoraLab.Web.Slurm;

namespace LoraLab.Web.Tests.Slurm;

public sealed class SlurmJobDisplayTests
{
    static SlurmJob Job(string state, string? reason, string? node) => new("12", state, reason, node, null, null, null);

    [Fact]
    public void A_pending_job_shows_Slurms_reason_and_no_node_even_where_Slurm_plans_to_start_it()
    {
        var shown = SlurmJobDisplay.Of("12", Job("PENDING", "Resources", "vm"), before: null);

        Assert.Equal(new SlurmJobChanged("12", null, "Resources"), shown);
    }

    [Fact]
    public void A_pending_job_without_a_reason_shows_None_which_is_described_as_nothing()
    {
        var shown = SlurmJobDisplay.Of("12", Job("PENDING", null, null), before: null);

        Assert.Equal("None", shown.PendingReason);
        Assert.Null(SlurmPendingReasons.Describe(shown.PendingReason!));
    }

    [Fact]
    public void A_job_that_starts_running_clears_its_reason_and_shows_its_node()
    {
        var before = new SlurmJobChanged("12", null, "Priority");

        Assert.Equal(new SlurmJobChanged("12", "vm", null), SlurmJobDisplay.Of("12", Job("RUNNING", null, "vm"), before));
    }

    [Fact]
    public void A_job_Slurm_forgot_keeps_its_node_and_is_no_longer_pending()
    {
        var before = new SlurmJobChanged("12", "vm", null);

        Assert.Equal(new SlurmJobChanged("12", "vm", null), SlurmJobDisplay.Of("12", job: null, before));
        Assert.Equal(new SlurmJobChanged("12", null, null), SlurmJobDisplay.Of("12", Job("CANCELLED", null, null), new SlurmJobChanged("12", null, "None")));
    }

    [Theory]
    [InlineData("Resources", "waiting for resources")]
    [InlineData("BeginTime", "waiting for its start time")]
    [InlineData("JobHeldAdmin", "held by an administrator")]
    [InlineData("ReqNodeNotAvail,_UnavailableNodes:gpu03", "a node it needs is not available")]
    [InlineData("QOSMaxJobsPerUserLimit", "a limit of its QoS is reached")]
    [InlineData("AssocGrpGRES", "a limit of its account is reached")]
    [InlineData("SomethingNew", "SomethingNew")]
    public void Slurms_reasons_are_put_in_words_and_unknown_ones_shown_as_Slurm_gives_them(string reason, string words)
    {
        Assert.Equal(words, SlurmPendingReasons.Describe(reason));
    }
}
