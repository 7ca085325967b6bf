package io.groupai.fleet.workflows.agent;

import io.groupai.fleet.workflows.allocation.OneByOne;
import java.util.List;

/**
 * A node agent for workflow tests that override only what their workflow calls: batch starts go one by one
 * through {@link #startAccount}, session clean-ups are no-ops, anything else fails the test loudly.
 */
public abstract class NodeAgentForTests implements NodeAgentActivities {

    @Override
    public List<StartedAccount> startAccounts(List<StartAccountRequest> requests) {
        return OneByOne.start(this, requests);
    }

    @Override
    public AccountRuntimeState startAccount(StartAccountRequest request) {
        throw new UnsupportedOperationException("startAccount is not used by this test");
    }

    @Override
    public AccountRuntimeState stopAccount(String accountId) {
        throw new UnsupportedOperationException("stopAccount is not used by this test");
    }

    @Override
    public List<AccountRuntimeState> listAccounts() {
        throw new UnsupportedOperationException("listAccounts is not used by this test");
    }

    @Override
    public SessionInfo installSession(String accountId) {
        throw new UnsupportedOperationException("installSession is not used by this test");
    }

    @Override
    public void removeSession(String accountId) {}

    @Override
    public ExportedSession exportSession(String accountId) {
        throw new UnsupportedOperationException("exportSession is not used by this test");
    }

    @Override
    public void discardMigratedSession(String accountId, String exportPath) {}

    @Override
    public ScriptInstallResult installScript(InstallScriptRequest request) {
        throw new UnsupportedOperationException("installScript is not used by this test");
    }

    @Override
    public void removeScript(String scriptId) {
        throw new UnsupportedOperationException("removeScript is not used by this test");
    }

    @Override
    public SentMessage sendMessage(SendMessageRequest request) {
        throw new UnsupportedOperationException("sendMessage is not used by this test");
    }
}
