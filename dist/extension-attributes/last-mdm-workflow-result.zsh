#!/bin/zsh --no-rcs
# Jamf Pro extension attribute 'Last MDM Workflow Result' (STRING), rendered by jamf-enforcer 0.1.0.
# Prints exactly one <result> with LastMDMWorkflowResult from the agent's status plist: 'Result of the last MDM push workflow; SCHEDULED = a DDM plan waits for its forced install time.'
emulate -L zsh
PATH=${JAMF_ENFORCER_PATH:-/usr/bin:/bin:/usr/sbin:/sbin:/usr/libexec}
status_file="${JAMF_ENFORCER_ROOT:-}"'/Library/Management/com.example.enforcer/status.plist'
value='NONE'
if [[ -f $status_file ]]; then
  if read_value=$(PlistBuddy -c 'Print :LastMDMWorkflowResult' "$status_file" 2>/dev/null) && [[ -n $read_value ]]; then
    value=$read_value
  fi
elif [[ ! -d "${JAMF_ENFORCER_ROOT:-}"'/Library/Management/com.example.enforcer' ]]; then
  value="Not installed"
fi
print -r -- "<result>${value//$'\n'/ }</result>"
exit 0
