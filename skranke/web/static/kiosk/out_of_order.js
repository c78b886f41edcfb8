// An unknown or deactivated kiosk: look again every five minutes, so a kiosk that is set up
// again (reactivated in /admin) comes back without anyone touching it.
setTimeout(() => location.reload(), 5 * 60 * 1000);
