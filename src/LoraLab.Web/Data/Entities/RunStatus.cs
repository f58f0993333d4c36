namespace LoraLab.Web.Data.Entities;

/// <summary>
/// Queued → Running → Completed | Failed | Cancelled. A run the process lost while Running (crash, shutdown) is
/// Interrupted, and can be resumed from its last checkpoint; so can a Failed or Cancelled one.
/// </summary>
public enum RunStatus { Queued, Running, Completed, Failed, Cancelled, Interrupted }
