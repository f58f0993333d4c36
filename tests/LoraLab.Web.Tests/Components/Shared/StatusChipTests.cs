using Bunit;
using LoraLab.Web.Components.Shared;
using LoraLab.Web.Data.Entities;

namespace LoraLab.Web.Tests.Components.Shared;

public sealed class StatusChipTests : MudBlazorContext
{
    [Fact]
    public void A_running_run_whose_Slurm_job_waits_shows_Pending_with_the_reason_in_words_and_as_Slurm_gives_it()
    {
        var chip = Render<StatusChip>(p => p.Add(c => c.Status, RunStatus.Running).Add(c => c.SlurmPendingReason, "Resources")).Find(".status-chip");

        Assert.Equal("Pending", chip.GetAttribute("data-status"));
        Assert.Equal("Pending: waiting for resources", chip.TextContent.Trim());
        Assert.Equal("Slurm's reason: Resources", chip.GetAttribute("title"));
    }

    [Fact]
    public void Right_after_submission_the_chip_says_just_Pending()
    {
        var chip = Render<StatusChip>(p => p.Add(c => c.Status, RunStatus.Running).Add(c => c.SlurmPendingReason, "None")).Find(".status-chip");

        Assert.Equal("Pending", chip.TextContent.Trim());
    }

    [Fact]
    public void A_run_that_ended_shows_its_status_whatever_reason_is_left()
    {
        var chip = Render<StatusChip>(p => p.Add(c => c.Status, RunStatus.Cancelled).Add(c => c.SlurmPendingReason, "Resources")).Find(".status-chip");

        Assert.Equal("Cancelled", chip.TextContent.Trim());
    }
}
