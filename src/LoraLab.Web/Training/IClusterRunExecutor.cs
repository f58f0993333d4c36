namespace LoraLab.Web.Training;

/// <summary>
/// An executor whose runs train elsewhere, placed by a cluster's scheduler (<see cref="Slurm.SlurmRunExecutor"/>): the
/// training service then gives each run one of the studio's slots without weighing its memory against the studio's
/// own devices.
/// </summary>
public interface IClusterRunExecutor : IRunExecutor;
