# Operations: admin alerts (src/alerts) and /alerts.
admin-command-alerts = Alerts: current problems, mute one

ops-alert-provider-failing = 🚨 { $provider } is failing: { $count ->
    [one] { $count } request
   *[other] { $count } requests
} in a row failed (last error: { $code }). Users get refunds until it recovers.
    /alerts to see or mute
ops-recovery-provider-failing = ✅ { $provider } answers again.
ops-alert-provider-code = 🚨 { $provider }: { $reason ->
    [credits] the provider account is out of credits (code { $code }). Top it up — every generation fails until then.
    [limit] the API key hit its usage limit (code { $code }). Raise the key's limit in the provider's dashboard.
   *[auth] the API key was rejected (code { $code }). Check or replace the key.
}
    /alerts to see or mute
ops-recovery-provider-code = ✅ { $provider }: { $reason ->
    [credits] requests go through again (credits topped up).
    [limit] requests go through again (key limit no longer hit).
   *[auth] the API key is accepted again.
}
ops-alert-kie-credit = 💸 KIE balance is low: { $balance } { $balance ->
    [one] credit
    *[other] credits
  } (alert threshold { $threshold }). Top up at kie.ai.
    /alerts to see or mute
ops-recovery-kie-credit = ✅ KIE balance is back above the threshold: { $balance } { $balance ->
    [one] credit
    *[other] credits
  }.
ops-alert-jobs-overdue = ⏰ { $count ->
    [one] { $count } generation is
   *[other] { $count } generations are
} past the deadline and still not finished (oldest deadline { $oldest } UTC). Is the job worker running?
    /alerts to see or mute
ops-recovery-jobs-overdue = ✅ No generation is past its deadline any more.
ops-alert-payment = 💳 A Stars payment could not be credited: charge { $charge }, user { $user }, { $stars } ⭐ ({ $error }). It is retried automatically; check /user { $user }.
    /alerts to see or mute
ops-recovery-payment = ✅ The payment { $charge } is credited now.
ops-alert-other = 🚨 Alert: { $key }
ops-recovery-other = ✅ Cleared: { $key }

ops-alerts-off = Alerts are not running in this process.
ops-alerts-none = ✅ No alerts: every check passes.
ops-alerts-title = { $count ->
    [0] No condition holds now; muted ones:
    [one] { $count } alert holds now:
   *[other] { $count } alerts hold now:
}
ops-alerts-state-active = 🔴 since { $since } UTC
ops-alerts-state-clear = 🟢 cleared
ops-alerts-muted-until = 🔕 muted until { $until } UTC
ops-alerts-button-mute-hour = 🔕 #{ $id } for 1 h
ops-alerts-button-mute-day = 🔕 #{ $id } for 24 h
ops-alerts-button-unmute = 🔔 Unmute #{ $id }
ops-alerts-muted = 🔕 Alert #{ $id } is muted until { $until } UTC.
ops-alerts-unmuted = 🔔 Alert #{ $id } is no longer muted.
ops-alerts-not-found = There is no alert #{ $id }. See /alerts.
ops-alerts-usage = Usage: /alerts — or /alerts mute ID MINUTES, /alerts unmute ID (IDs are shown by /alerts; at most 10080 minutes)
