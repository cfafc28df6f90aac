#pragma once

#include <QWidget>

class QLabel;
class QTableWidget;

namespace mist {

class KubePortForward;
class KubePortForwardList;

// The open port forwards: local address, pod and port, connections, state; "Close" and
// "Copy address" for the selected one. Follows the list as forwards come and go.
class PortForwardsView : public QWidget
{
    Q_OBJECT
public:
    explicit PortForwardsView(KubePortForwardList *list, QWidget *parent = nullptr);

    int rowCount() const;
    void closeSelected();

private:
    void rebuild();
    void track(KubePortForward *forward);

    KubePortForwardList *m_list;
    QTableWidget *m_table;
    QLabel *m_message;
};

} // namespace mist
