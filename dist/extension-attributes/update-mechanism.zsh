#!/bin/zsh --no-rcs
# Jamf Pro extension attribute 'Update Mechanism' (STRING), rendered by jamf-enforcer 0.1.0.
# Prints exactly one <result> with UpdateMechanism from the agent's status plist: 'How the last update was started: DDM (a DOWNLOAD_INSTALL_SCHEDULE plan, WorkflowMode NEW), MDM_COMMAND (any other plan, NEW), LEGACY (send-updates, WorkflowMode LEGACY) or LOCAL (softwareupdate on the Mac).'
emulate -L zsh
PATH=${JAMF_ENFORCER_PATH:-/usr/bin:/bin:/usr/sbin:/sbin:/usr/libexec}
status_file="${JAMF_ENFORCER_ROOT:-}"'/Library/Management/com.example.enforcer/status.plist'
value='NONE'
if [[ -f $status_file ]]; then
  if read_value=$(PlistBuddy -c 'Print :UpdateMechanism' "$status_file" 2>/dev/null) && [[ -n $read_value ]]; then
    value=$read_value
  fi
elif [[ ! -d "${JAMF_ENFORCER_ROOT:-}"'/Library/Management/com.example.enforcer' ]]; then
  value="Not installed"
fi
print -r -- "<result>${value//$'\n'/ }</result>"
exit 0
