#!/bin/zsh --no-rcs
# Uninstalls the 'Example Software Updates' agent 1.0.0 (jamf-enforcer 0.1.0):
# every saved credential in the System keychain, the service account the agent created, and the
# agent's folder /Library/Management/com.example.enforcer (status plist, logs, lock).
# Test hooks as in the agent: JAMF_ENFORCER_ROOT, JAMF_ENFORCER_PATH.
emulate -R zsh
zmodload zsh/system || exit 70
zmodload -F zsh/files b:zf_rm || exit 70
PATH=${JAMF_ENFORCER_PATH:-/usr/bin:/bin:/usr/sbin:/sbin:/usr/libexec:/usr/local/bin:/usr/local/jamf/bin}

readonly ROOT=${JAMF_ENFORCER_ROOT:-}
readonly WORK_DIR=$ROOT'/Library/Management/com.example.enforcer'
readonly KEYCHAIN=$ROOT/Library/Keychains/System.keychain
readonly KC_SERVICE='com.example.enforcer'
readonly KC_ACCOUNTS=(auth_user_account auth_user_password auth_local_account auth_local_password
                      auth_service_account auth_service_password auth_jamf_client auth_jamf_secret
                      auth_jamf_account auth_jamf_password)

if (( EUID != 0 )) && [[ -z $ROOT ]]; then
  print -r -- "$0: must run as root" >&2
  exit 77
fi
rc=0
# Wait for a running agent to finish, so it cannot write its status back after the removal.
if [[ -f $WORK_DIR/agent.lock ]] && ! zsystem flock -t 120 -f lock_fd $WORK_DIR/agent.lock 2>/dev/null; then
  print -r -- "the agent is still running after 120 s; removing it anyway"
fi

if encoded=$(security find-generic-password -a auth_service_account -s "$KC_SERVICE" -w "$KEYCHAIN" 2>/dev/null) \
   && name=$(print -r -- "$encoded" | base64 --decode 2>/dev/null) && [[ -n $name ]]; then
  if sysadminctl -deleteUser "$name" >/dev/null 2>&1; then
    print -r -- "deleted the service account $name"
  else
    print -r -- "could not delete the service account $name"
    rc=1
  fi
fi
for account in $KC_ACCOUNTS; do
  security delete-generic-password -a $account -s "$KC_SERVICE" "$KEYCHAIN" >/dev/null 2>&1 \
    && print -r -- "deleted keychain item $account"
done
if [[ -e $WORK_DIR ]]; then
  zf_rm -rf -- $WORK_DIR && print -r -- "removed ${WORK_DIR#$ROOT}" || rc=1
fi
exit $rc
